// The page's only channel to the service: the public GraphQL API, `POST /graphql` with the
// Bearer token of the tab's session. Every refusal of the API carries an `extensions.code`.

import { label, known } from './labels.js';

const TOKEN_KEY = 'am-planner.token';

export class ApiError extends Error {
  /** `argument`: the query argument refused, when the API names it (`extensions.argument`). */
  constructor(code, message, status, path, argument) {
    super(message);
    this.code = code;
    this.status = status;
    this.path = path;
    this.argument = argument;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * Runs one operation; resolves with `data`. A GraphQL error (or an HTTP refusal) rejects with
 * an ApiError carrying its code; a 401 also tells the page the session is over.
 */
export async function gql(query, variables = {}, bearer = token()) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer ?? ''}` },
      body: JSON.stringify({ query, variables }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError('NETWORK', 'Le service ne répond pas : vérifiez votre connexion.', 0);
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    throw new ApiError('BAD_RESPONSE', `Réponse illisible du service (HTTP ${response.status}).`, response.status);
  }
  const first = body?.errors?.[0];
  if (response.status === 401) {
    const error = new ApiError(first?.extensions?.code ?? 'UNAUTHENTICATED', first?.message ?? 'unauthenticated', 401);
    window.dispatchEvent(new CustomEvent('am-unauthenticated', { detail: error }));
    throw error;
  }
  if (first) {
    throw new ApiError(first.extensions?.code ?? 'ERROR', first.message, response.status, first.path, first.extensions?.argument);
  }
  if (!response.ok) throw new ApiError('HTTP', `HTTP ${response.status}`, response.status);
  return body.data;
}

/** The explanation's fields, shared by every trace the page opens. */
export const EXPLANATION = `formatVersion verdict confidence
  rules { rule title reference outcome note confidence inputs { name value } missing
    parameters { key value effectiveFrom reference source confidence checkedOn } }`;

export const CAVEATS = 'caveats { key value effectiveFrom reference confidence }';

/** An API error in French, with the API's own words and code beside it. */
export function describeError(error) {
  if (error instanceof ApiError && known('ErrorCode', error.code)) {
    return `${label('ErrorCode', error.code)} (${error.code} : ${error.message})`;
  }
  return error instanceof ApiError ? `${error.message} (${error.code})` : String(error?.message ?? error);
}

const CONTRACT_TRACE = `query ContractTrace($id: ID!, $asOf: Date) { node(id: $id) { ... on AidContract {
  evaluation(asOf: $asOf) {
    ... on IndividualSimulation { ${CAVEATS} explanation { ${EXPLANATION} } }
    ... on CollectiveSimulation { ${CAVEATS} explanation { ${EXPLANATION} } } } } } }`;

/** A stored aid contract's evaluation on `asOf`, with its explanation (`AidContract.evaluation`). */
export async function contractTrace(id, asOf) {
  const data = await gql(CONTRACT_TRACE, { id, asOf });
  if (!data.node) throw new ApiError('NOT_FOUND', 'contract not found', 200);
  return data.node.evaluation;
}
