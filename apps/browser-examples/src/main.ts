// The page's script: runs the README example and shows its result as JSON in #result
// (data-state="done"), or the error's name and message (data-state="error").
import { readmeExample } from './readme-example.js';

const out = document.getElementById('result');
if (!out) throw new Error('The page has no #result element');
readmeExample().then(
  (result) => {
    out.textContent = JSON.stringify(result);
    out.dataset.state = 'done';
  },
  (e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    out.textContent = JSON.stringify({ name: err.name, message: err.message });
    out.dataset.state = 'error';
  },
);
