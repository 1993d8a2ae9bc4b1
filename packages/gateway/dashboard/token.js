// The admin token the stats stream needs, and the form that asks for it.
//
// It is kept in sessionStorage, not in the URL: a URL shows in the address bar, the history, a
// bookmark or a screenshot, while sessionStorage stays with this tab and goes when it closes. A
// `?token=` link still works: the token moves to sessionStorage and leaves the address bar.
const KEY = 'steadystate-token';

export function takeToken() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url);
  }
  return sessionStorage.getItem(KEY);
}

/** Shows the form, saying why when the gateway refused the token; `onToken` gets the new one. */
export function tokenForm(onToken) {
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  const refusedNote = document.getElementById('token-error');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, input.value);
    form.hidden = true;
    onToken(input.value);
    input.value = '';
  });
  return {
    ask({ refused }) {
      if (refused) sessionStorage.removeItem(KEY);
      refusedNote.hidden = !refused;
      form.hidden = false;
      input.focus();
    },
  };
}
