import { describe, expect, it } from 'vitest';
import { isAllowedExternal, isOwnMainFrame, originOf } from './external-links.js';

describe('isAllowedExternal', () => {
  it('opens only https links to allow-listed hosts', () => {
    expect(isAllowedExternal('https://github.com/foxctl/foxctl/issues')).toBe(true);
    expect(isAllowedExternal('https://www.sqlite.org/wal.html')).toBe(true);
    for (const url of [
      'http://github.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://evil.example/share',
      'https://github.com.evil.example/',
      'https://evil.example/github.com',
      'https://user:pw@github.com/',
      'https://github.com:8443/',
      'not a url',
    ]) {
      expect(isAllowedExternal(url), url).toBe(false);
    }
  });
});

describe('originOf', () => {
  it('gives scheme and host for our custom scheme too (URL.origin says "null" there)', () => {
    expect(originOf('app://studio/index.html')).toBe('app://studio');
    expect(originOf('app://studio.evil.example/index.html')).toBe('app://studio.evil.example');
    expect(originOf('http://localhost:5173/x')).toBe('http://localhost:5173');
    expect(originOf('file:///etc/passwd')).toBeUndefined();
    expect(originOf('nonsense')).toBeUndefined();
  });
});

describe('isOwnMainFrame', () => {
  const own = (u: string): boolean => originOf(u) === 'app://studio';
  const mainFrame = { url: 'app://studio/index.html' };
  const contents = {};
  const ours = { destroyed: false, contents, mainFrame };

  it('accepts our window main frame showing our page', () => {
    expect(isOwnMainFrame({ sender: contents, ours, frame: mainFrame }, own)).toBe(true);
  });

  it('refuses an iframe, another window, a navigated page, a destroyed or missing window', () => {
    expect(isOwnMainFrame({ sender: contents, ours, frame: { url: 'app://studio/index.html' } }, own)).toBe(false);
    expect(isOwnMainFrame({ sender: {}, ours, frame: mainFrame }, own)).toBe(false);
    const navigated = { url: 'https://evil.example/' };
    expect(isOwnMainFrame({ sender: contents, ours: { ...ours, mainFrame: navigated }, frame: navigated }, own)).toBe(false);
    expect(isOwnMainFrame({ sender: contents, ours: { ...ours, destroyed: true }, frame: mainFrame }, own)).toBe(false);
    expect(isOwnMainFrame({ sender: contents, ours: undefined, frame: mainFrame }, own)).toBe(false);
    expect(isOwnMainFrame({ sender: contents, ours, frame: null }, own)).toBe(false);
  });
});
