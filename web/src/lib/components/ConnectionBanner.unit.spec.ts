// The banner for a lost live connection: nothing while the stream is open (or connecting), a status
// message while it is lost, gone again once it is back.
import { render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { stream } from '#lib/events.svelte.ts';
import ConnectionBanner from './ConnectionBanner.svelte';

afterEach(() => {
  stream.status = 'idle';
});

describe('ConnectionBanner', () => {
  it('renders nothing while the connection is open', () => {
    stream.status = 'open';
    const { container } = render(ConnectionBanner);
    expect(screen.queryByRole('status')).toBeNull();
    expect(container.textContent?.trim()).toBe('');
  });

  it('shows a status banner while the connection is lost, and removes it when it is back', () => {
    stream.status = 'open';
    render(ConnectionBanner);
    stream.status = 'lost';
    flushSync();
    const banner = screen.getByRole('status');
    expect(banner.textContent).toMatch(/Live updates lost: reconnecting/);
    expect(banner.getAttribute('aria-live')).toBe('polite');
    stream.status = 'open';
    flushSync();
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('says nothing while first connecting', () => {
    stream.status = 'connecting';
    render(ConnectionBanner);
    expect(screen.queryByRole('status')).toBeNull();
  });
});
