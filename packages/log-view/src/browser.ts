/** Saves `text` as a file through the browser's download. */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the click; the object URL is not needed past this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * Puts `text` on the clipboard. Resolves `false` when the page may not write it (no permission, no
 * secure context): the caller says so instead of throwing.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A link to this page that names the entry: the current address with `?log=<cursor>`. A `LogView` on
 * the page opened from it scrolls to the entry and selects it.
 */
export function linkToEntry(id: string, param: string): string {
  const url = new URL(window.location.href);
  url.searchParams.set(param, id);
  return url.href;
}

/** The cursor a link names, if the page was opened from one. */
export function linkedEntry(param: string): string | undefined {
  if (typeof window === 'undefined') return undefined;
  return new URL(window.location.href).searchParams.get(param) ?? undefined;
}
