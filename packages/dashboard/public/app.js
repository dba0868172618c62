/**
 * The Vexil dashboard: log in, pick a project, list and toggle flags per environment, create
 * flags, edit a flag's targeting per environment, and read its audit trail. Hash routes:
 *   #/                      projects
 *   #/p/<project>?env=<env> flags of a project in one environment
 *   #/p/<project>/f/<flag>  one flag: targeting (and its editor, per environment) and its audit trail
 *   #/p/<project>/audit     the project's audit log, filtered
 *   #/admin                 users and API tokens (installation admins)
 */
import { api, setCsrfToken } from './js/api.js';
import { nav, say, session, showWho } from './js/shell.js';
import { renderAdmin } from './js/views/admin.js';
import { renderAudit } from './js/views/audit.js';
import { renderFlag } from './js/views/flag.js';
import { renderLogin } from './js/views/login.js';
import { renderProject } from './js/views/project.js';
import { renderProjects } from './js/views/projects.js';

function route() {
  if (!session.me) return renderLogin();
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = (path || '/').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'p' && parts[1] && parts[2] === 'f' && parts[3]) return renderFlag(parts[1], parts[3]);
  if (parts[0] === 'p' && parts[1] && parts[2] === 'audit') return renderAudit(parts[1]);
  if (parts[0] === 'p' && parts[1]) return renderProject(parts[1], new URLSearchParams(query).get('env'));
  if (parts[0] === 'admin') return renderAdmin();
  return renderProjects();
}

document.getElementById('logout').addEventListener('click', async () => {
  await api('DELETE', '/session').catch(() => {});
  session.me = null;
  setCsrfToken(null);
  showWho();
  say('You are logged out.');
  renderLogin();
});
window.addEventListener('hashchange', () => {
  say('');
  route();
});

try {
  const who = await api('GET', '/session');
  if (who.user && who.csrfToken) {
    session.me = who.user;
    setCsrfToken(who.csrfToken);
  }
} catch {
  session.me = null;
}
nav.route = route;
nav.login = renderLogin;
showWho();
route();
