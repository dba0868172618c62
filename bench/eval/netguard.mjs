// Every system runs offline. This makes sure: any attempt to open a socket or resolve a name
// is recorded (and fails), and run.mjs rejects a measurement that made one.
import dns from 'node:dns';
import net from 'node:net';

export const attempts = [];

export function installNetGuard() {
  const deny = (what) =>
    function denied(...args) {
      const target =
        typeof args[0] === 'object' && args[0] !== null ? JSON.stringify(args[0]).slice(0, 120) : String(args[0]);
      attempts.push(`${what} ${target}`);
      throw new Error(`bench: network access attempted: ${what} ${target}`);
    };
  net.Socket.prototype.connect = deny('connect');
  dns.lookup = deny('dns.lookup');
  dns.promises.lookup = deny('dns.promises.lookup');
}
