import { BackendTerminatedError, BackendTerminatedUnexpectedlyError, ConnectionError, IdleTransactionTimeoutError, StatementCancelledError, UnexpectedStateError } from 'slonik';

// SQLSTATE classes that mean "try again", not "your SQL is wrong": 08 connection exception, 40 transaction
// rollback (deadlock, serialization failure: two supervisors' control consumers can deadlock on `actors`
// rows), 57P01-57P03 admin shutdown / crash shutdown / cannot connect now, 53300 too many connections.
const TRANSIENT_SQLSTATE = /^(08|40|57P0[123]|53300)/;
const TRANSIENT_MESSAGE = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection terminated|terminating connection|the database system is (starting up|shutting down)|Client has encountered a connection error|timeout exceeded when trying to connect/i;

/** Is this error the database's (retry the batch with backoff, lose nothing), rather than the handler's? */
export function isInfrastructureError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ConnectionError || e instanceof BackendTerminatedError || e instanceof BackendTerminatedUnexpectedlyError) return true;
    if (e instanceof IdleTransactionTimeoutError || e instanceof StatementCancelledError || e instanceof UnexpectedStateError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_SQLSTATE.test(code)) return true;
    if (typeof code === 'string' && /^E(CONN|PIPE|TIMEDOUT|HOSTUNREACH)/.test(code)) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && TRANSIENT_MESSAGE.test(message)) return true;
  }
  return false;
}
