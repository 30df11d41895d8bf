// 👍/👎 on a reply, with an optional reason and comment: PUT sets (replacing), DELETE clears; the reply shows what is stored.

import { json } from './api.js';

const REASONS = { wrong: 'Wrong', incomplete: 'Incomplete', unsafe: 'Unsafe', not_helpful: 'Not helpful', great: 'Great' };

/**
 * The rating controls of the stored reply `item` of chat `chatId`, showing `feedback` (the history's
 * metadata.feedback, or nothing). Errors go to `onError`.
 */
export function feedbackControl(item, chatId, feedback, onError) {
  const group = document.createElement('div');
  group.className = 'feedback';
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', 'Rate this reply');
  const up = thumb('👍', 'Good reply', 'up');
  const down = thumb('👎', 'Bad reply', 'down');
  const more = document.createElement('button');
  more.type = 'button';
  more.className = 'quiet feedback-more';
  more.textContent = 'Reason…';
  more.setAttribute('aria-expanded', 'false');
  const summary = document.createElement('span');
  summary.className = 'feedback-summary';
  const form = detailsForm();
  group.append(up, down, more, summary, form.element);

  let current = feedback ?? null;
  const path = `/v1/sessions/${chatId}/messages/${item.dataset.id}/feedback`;

  function show() {
    up.setAttribute('aria-pressed', String(current?.rating === 'up'));
    down.setAttribute('aria-pressed', String(current?.rating === 'down'));
    more.hidden = !current;
    const parts = current ? [REASONS[current.reason], current.comment].filter(Boolean) : [];
    summary.textContent = parts.join(' · ');
    group.dataset.rating = current?.rating ?? '';
  }

  async function put(body) {
    try {
      current = await json(path, { method: 'PUT', body });
      show();
    } catch (error) {
      onError(error);
    }
  }

  async function rate(rating) {
    if (current?.rating === rating) {
      try {
        await json(path, { method: 'DELETE' });
        current = null;
        form.element.hidden = true;
        more.setAttribute('aria-expanded', 'false');
        show();
      } catch (error) {
        onError(error);
      }
      return;
    }
    await put({ rating, reason: current?.reason ?? null, comment: current?.comment ?? null });
  }

  up.addEventListener('click', () => rate('up'));
  down.addEventListener('click', () => rate('down'));
  more.addEventListener('click', () => {
    const open = form.element.hidden;
    form.element.hidden = !open;
    more.setAttribute('aria-expanded', String(open));
    if (open) {
      form.reason.value = current?.reason ?? '';
      form.comment.value = current?.comment ?? '';
      form.reason.focus();
    }
  });
  form.element.addEventListener('submit', async (event) => {
    event.preventDefault();
    await put({ rating: current?.rating ?? 'down', reason: form.reason.value || null, comment: form.comment.value.trim() || null });
    form.element.hidden = true;
    more.setAttribute('aria-expanded', 'false');
    more.focus();
  });

  show();
  return group;
}

function thumb(glyph, label, rating) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `icon feedback-${rating}`;
  button.textContent = glyph;
  button.setAttribute('aria-label', label);
  return button;
}

function detailsForm() {
  const element = document.createElement('form');
  element.className = 'feedback-details';
  element.hidden = true;
  const reason = document.createElement('select');
  reason.setAttribute('aria-label', 'Reason');
  reason.append(new Option('No reason', ''), ...Object.entries(REASONS).map(([value, text]) => new Option(text, value)));
  const comment = document.createElement('textarea');
  comment.rows = 2;
  comment.maxLength = 1000;
  comment.placeholder = 'Comment (optional)';
  comment.setAttribute('aria-label', 'Comment');
  const save = document.createElement('button');
  save.type = 'submit';
  save.className = 'primary';
  save.textContent = 'Save feedback';
  element.append(reason, comment, save);
  return { element, reason, comment };
}
