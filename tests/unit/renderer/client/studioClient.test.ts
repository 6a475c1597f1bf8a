/**
 * The web host's per-run token leaves the address bar once the page has it (issue 15: a token in the address is
 * shown in history, bookmarks and screen shares).
 */
import { describe, expect, it } from 'vitest';
import { addressWithoutToken } from '../../../../renderer/client/studioClient.ts';

describe('addressWithoutToken', () => {
  it('removes the token and keeps the path, the other parameters and the fragment', () => {
    expect(addressWithoutToken('http://127.0.0.1:5123/?token=0a1b2c')).toBe('http://127.0.0.1:5123/');
    expect(addressWithoutToken('http://127.0.0.1:5123/index.html?view=export&token=0a1b2c&x=1#timeline')).toBe('http://127.0.0.1:5123/index.html?view=export&x=1#timeline');
    // A repeated parameter is removed too.
    expect(addressWithoutToken('http://localhost:80/?token=a&token=b')).toBe('http://localhost/');
  });

  it('returns null when the address carries no token (no history entry is rewritten)', () => {
    expect(addressWithoutToken('http://127.0.0.1:5123/')).toBeNull();
    expect(addressWithoutToken('http://127.0.0.1:5123/?tokens=1#token=2')).toBeNull();
  });
});
