import { validateEnvelope, WeaverError, type Envelope } from '../../protocol/index.ts';

/** Throws `invalid_event` (with per-field details) unless the event may go into the log. */
export function assertAppendable(event: Envelope): Envelope {
  const checked = validateEnvelope(event);
  if (!checked.ok) throw new WeaverError('invalid_event', `refused to append ${event.type}: ${checked.error.message}`, checked.error.details, event.id);
  return event;
}
