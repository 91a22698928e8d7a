import type { AnnouncedState } from '@vigil/protocol';

/** What the page-lifecycle hook drives on the session. */
export interface PageLifecycleTarget {
  announce(state: AnnouncedState, reason: string): void;
  checkConnection(): void;
}

interface EventTargetLike {
  addEventListener(type: string, listener: (event: unknown) => void): void;
  removeEventListener(type: string, listener: (event: unknown) => void): void;
}

/**
 * The minimal browser hook every session gets: a hidden page announces `background` (so a silence that
 * follows counts as a suspension, not a network failure), a visible one `active`; after `resume`,
 * `pageshow` from the back/forward cache or `online`, the link is probed so a zombie socket is replaced
 * at once. Camera and audio policies are the lifecycle engine's job, not this hook's. Returns a detach
 * function; a no-op outside browsers.
 */
export function watchPageLifecycle(target: PageLifecycleTarget): () => void {
  const doc = (globalThis as { document?: EventTargetLike & { visibilityState?: string } }).document;
  const win = globalThis as unknown as Partial<EventTargetLike>;
  if (!doc || typeof doc.addEventListener !== 'function' || typeof win.addEventListener !== 'function') {
    return () => {};
  }
  const onVisibility = (): void => {
    if (doc.visibilityState === 'hidden') {
      target.announce('background', 'pageHidden');
    } else {
      target.announce('active', 'pageVisible');
      target.checkConnection();
    }
  };
  const probe = (): void => target.checkConnection();
  const onPageShow = (event: unknown): void => {
    if ((event as { persisted?: boolean }).persisted) {
      probe();
    }
  };
  doc.addEventListener('visibilitychange', onVisibility);
  doc.addEventListener('resume', probe);
  win.addEventListener('online', probe);
  win.addEventListener('pageshow', onPageShow);
  return () => {
    doc.removeEventListener('visibilitychange', onVisibility);
    doc.removeEventListener('resume', probe);
    win.removeEventListener?.('online', probe);
    win.removeEventListener?.('pageshow', onPageShow);
  };
}
