/** Placeholder until the supervisor lands: replaced by the real measurement. */
export async function measureRecovery(_url: string): Promise<number> {
  return Number.NaN;
}
