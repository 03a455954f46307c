// The supervisor: places, starts, watches and restarts actors (one worker thread each), holds their
// leases, and obeys actor.* commands from the log. It never handles business events itself, and it is
// the only code that spawns or terminates actor workers.
export { startSupervisor, type Supervisor, type SupervisorOptions } from './supervisor.ts';
export type { ActorStatus } from './status.ts';
export type { ActorSpec, ActorState } from './registry.ts';
export { CONTROL_CONSUMER } from './control.ts';
