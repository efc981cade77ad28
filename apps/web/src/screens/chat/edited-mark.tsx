import "./message-edit.css";

/**
 * "Edited", beside a message's time, on every side of the conversation. The earlier text stays on
 * the devices (the SDK's view keeps it) and is not shown here.
 */
export function EditedMark() {
  return <span className="msg__edited">Edited</span>;
}
