// Reads the AI SDK's UI message stream (server-sent events) from a fetch response: one parsed part per event.

/**
 * Yields {id, part} for each event of the stream; part is the event's JSON, or null for the final `[DONE]`.
 * Throws what the reader throws (an AbortError when the caller aborts, a TypeError when the connection drops).
 */
export async function* uiMessageParts(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let data = [];
  let id = null;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      buffer += value;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (data.length > 0) {
            const text = data.join('\n');
            yield { id, part: text === '[DONE]' ? null : JSON.parse(text) };
          }
          data = [];
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const fieldValue = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') {
          data.push(fieldValue);
        } else if (field === 'id') {
          id = fieldValue;
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}
