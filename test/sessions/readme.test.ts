/** The README's session sample does what its comments say. */
import { expect, it } from 'vitest';
import { main } from '../../docs/snippets/sessions.js';

it('the README session sample carries the first turn into the second', async () => {
  expect(await main()).toBe('You said: My order is 1042. / When will it arrive?');
});
