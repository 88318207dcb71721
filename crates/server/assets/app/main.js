// The coordinator's page: sign-in with an API token (kept in this tab's sessionStorage), the
// choice of structure and date, and the four screens, routed by the address's fragment.

import { gql, setToken, token, ApiError, describeError } from './api.js';
import { h, fill } from './dom.js';
import { today, date } from './format.js';
import { label } from './labels.js';
import { setupDialog } from './explain.js';
import * as dashboard from './dashboard.js';

// The dashboard comes with the first load; the other screens are fetched when first opened.
const SCREENS = {
  tableau: { load: async () => dashboard, title: 'Tableau de bord' },
  decision: { load: () => import('./decision.js'), title: 'Individuel ou collectif ?' },
  compatibilite: { load: () => import('./compat.js'), title: 'Compatibilité des financements' },
  saisies: { load: () => import('./forms.js'), title: 'Saisies' },
};

const AS_OF_KEY = 'am-planner.asOf';
const STRUCTURE_KEY = 'am-planner.structure';

const VIEWER = `query Viewer { viewer { name role }
  structures(first: 100) { edges { node { id name finess commune kind legalForm } } } }`;

const state = { viewer: null, structures: [], structureId: null, asOf: null, renderToken: 0 };

const $ = (id) => document.getElementById(id);

/** A message in the status line (announced politely to screen readers). */
export function status(text, isError = false) {
  const el = $('status');
  el.classList.toggle('error', isError);
  fill(el, text ?? '');
}

function showSignIn(message) {
  state.viewer = null;
  state.renderToken += 1; // a screen still loading is not shown
  status('');
  $('session').hidden = true;
  $('tabs').hidden = true;
  $('sign-in').hidden = false;
  fill($('screen'));
  const error = $('token-error');
  fill(error, message ?? '');
  $('token').setAttribute('aria-invalid', message ? 'true' : 'false');
  document.title = 'Connexion · am-planner';
}

async function signIn(candidate) {
  const data = await gql(VIEWER, {}, candidate);
  setToken(candidate);
  state.viewer = data.viewer;
  state.structures = data.structures.edges.map((e) => e.node);
  const remembered = sessionStorage.getItem(STRUCTURE_KEY);
  state.structureId = state.structures.some((s) => s.id === remembered) ? remembered : state.structures[0]?.id ?? null;
  state.asOf = sessionStorage.getItem(AS_OF_KEY) || today();
  $('sign-in').hidden = true;
  $('session').hidden = false;
  $('tabs').hidden = false;
  fill($('viewer-name'), `${data.viewer.name} (${label('Role', data.viewer.role)})`);
  const select = $('structure-select');
  fill(select, state.structures.map((s) => h('option', { value: s.id }, `${s.name}${s.finess ? ` — FINESS ${s.finess}` : ''}`)));
  select.value = state.structureId ?? '';
  $('as-of').value = state.asOf;
  if (!location.hash.startsWith('#/')) history.replaceState(null, '', '#/tableau');
  await route();
}

function currentScreen() {
  const name = location.hash.replace(/^#\//, '').split(/[/?]/)[0];
  return SCREENS[name] ? name : 'tableau';
}

async function route() {
  if (!state.viewer) return;
  const name = currentScreen();
  const screen = SCREENS[name];
  for (const a of document.querySelectorAll('#tabs a')) {
    if (a.dataset.screen === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const structure = state.structures.find((s) => s.id === state.structureId);
  document.title = `${screen.title}${structure ? ` · ${structure.name}` : ''} · am-planner`;
  const container = $('screen');
  if (!structure) {
    fill(container, h('h1', {}, screen.title), h('p', {}, 'Ce jeton ne donne accès à aucune structure.'));
    return;
  }
  const ticket = ++state.renderToken;
  container.dataset.screen = name;
  delete container.dataset.ready;
  status('Chargement…');
  try {
    const module = await screen.load();
    const view = await module.render({ structure, asOf: state.asOf, stale: () => ticket !== state.renderToken });
    if (ticket !== state.renderToken) return;
    fill(container, view);
    container.dataset.ready = name;
    status('');
    performance.mark(`am-screen-${name}`);
    $('main').focus({ preventScroll: true });
  } catch (error) {
    if (ticket !== state.renderToken) return;
    if (error instanceof ApiError && error.status === 401) {
      status(''); // the sign-in says why
      return;
    }
    fill(container, h('h1', {}, screen.title), h('p', { class: 'field-error', role: 'alert' }, describeError(error)));
    status('');
  }
}

function setup() {
  setupDialog();
  $('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const candidate = $('token').value.trim();
    if (!candidate) {
      showSignIn('Saisissez votre jeton d’accès.');
      return;
    }
    const button = event.submitter;
    if (button) button.disabled = true;
    try {
      await signIn(candidate);
      $('token').value = '';
    } catch (error) {
      showSignIn(describeError(error));
      $('token').focus();
    } finally {
      if (button) button.disabled = false;
    }
  });
  $('sign-out').addEventListener('click', () => {
    setToken(null);
    showSignIn('Vous êtes déconnecté(e).');
    $('token').focus();
  });
  $('structure-select').addEventListener('change', (event) => {
    state.structureId = event.target.value;
    sessionStorage.setItem(STRUCTURE_KEY, state.structureId);
    route();
  });
  $('as-of').addEventListener('change', (event) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(event.target.value)) return;
    state.asOf = event.target.value;
    sessionStorage.setItem(AS_OF_KEY, state.asOf);
    route();
  });
  $('print').addEventListener('click', () => window.print());
  const printedOn = () => { $('printed-on').textContent = `Imprimé le ${date(today())}.`; };
  printedOn();
  window.addEventListener('beforeprint', printedOn);
  window.addEventListener('hashchange', route);
  window.addEventListener('am-unauthenticated', (event) => {
    if (!state.viewer) return;
    setToken(null);
    showSignIn(`Votre session a pris fin : ${describeError(event.detail)}`);
  });

  const saved = token();
  if (saved) {
    signIn(saved).catch((error) => showSignIn(describeError(error)));
  } else {
    showSignIn();
  }
}

setup();
