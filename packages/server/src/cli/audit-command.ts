import type { Config } from '../config.js';

export async function auditCommand(_args: string[], _config: Config): Promise<number> {
  console.error('audit verify: not implemented yet');
  return 2;
}
