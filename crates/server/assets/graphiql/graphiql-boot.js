// Renders GraphiQL into #graphiql. Its settings come from the element's data- attributes, so the
// page needs no inline script: its Content-Security-Policy allows scripts from 'self' only.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var settings = root.dataset;
  root.textContent = '';
  // The nonce the Content-Security-Policy allows for the <style> GraphiQL's dialogs create
  // (react-remove-scroll reads it from here).
  if (settings.styleNonce) window.__webpack_nonce__ = settings.styleNonce;
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: settings.endpoint }),
      defaultQuery: settings.defaultQuery,
      // Shown in the Headers tab, where the user sees and edits the Authorization header.
      defaultHeaders: settings.headers,
      defaultEditorToolsVisibility: 'headers',
      // Never write a token into the browser's storage.
      shouldPersistHeaders: false,
    })
  );
})();
