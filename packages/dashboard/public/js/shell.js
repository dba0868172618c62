/**
 * What every view shares: the main element, the notice line, who is logged in, and the error
 * boundary for API calls. Navigation is registered by app.js (views do not import the router).
 */
import { ApiError } from './api.js';

export const main = document.getElementById('main');
const notice = document.getElementById('notice');

/** The logged-in user, or null. */
export const session = { me: null };
/** Set by app.js: re-render for the current URL, and show the login form. */
export const nav = { route: () => {}, login: () => {} };

export function say(message, kind = 'info') {
  notice.textContent = message;
  notice.className = `notice ${kind}`;
  notice.hidden = !message;
}

export function showWho() {
  const who = document.getElementById('who');
  const me = session.me;
  who.hidden = !me;
  document.getElementById('who-name').textContent = me ? `${me.name || me.email} (${me.email})` : '';
}

/** Errors end up in the notice; a lost session goes back to the login form. Resolves undefined on failure. */
export async function guard(fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      session.me = null;
      showWho();
      say('Your session has ended: please log in again.', 'error');
      nav.login();
      return undefined;
    }
    say(err instanceof Error ? err.message : String(err), 'error');
    return undefined;
  }
}
