import { api, setCsrfToken } from '../api.js';
import { field, h, mount } from '../dom.js';
import { main, nav, say, session, showWho } from '../shell.js';

export function renderLogin() {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', role: 'alert', id: 'login-error' });
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Log in'),
    field('Email', email),
    field('Password', password),
    error,
    h('button', { type: 'submit' }, 'Log in'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      const res = await api('POST', '/session', { body: { email: email.value, password: password.value } });
      setCsrfToken(res.csrfToken);
      session.me = res.user;
      showWho();
      say('');
      nav.route();
    } catch (err) {
      error.textContent = err.message;
    }
  });
  mount(main, form);
  email.focus();
}
