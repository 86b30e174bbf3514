import type { SettingValue } from '../config/environment.js';

/** Definition name → state machine ARN: the stack's STATE_MACHINES variable (functions/config). */
export type StateMachineArns = Readonly<SettingValue<'stateMachines'>>;
