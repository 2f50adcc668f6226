// The text of the email.v1 contract, for what needs the schema itself rather than the generated
// codec: registering it with a schema registry, and checking a writer's schema against it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const EMAIL_EVENT_TYPE = 'email.v1.EmailEvent';
export const EMAIL_EVENT_PROTO_PATH = fileURLToPath(new URL('./email/v1/email_event.proto', import.meta.url));

let text: string | undefined;
/** schemas/email/v1/email_event.proto, read once. */
export function emailEventProto(): string {
  text ??= readFileSync(EMAIL_EVENT_PROTO_PATH, 'utf8');
  return text;
}
