// Previous and next pages of a cursor-paginated list (the API's `next_cursor`).
import type { CursorPages } from "../hooks";

export function Pager({
  pages,
  nextCursor,
  previousLabel,
  nextLabel,
}: {
  pages: CursorPages;
  nextCursor: string | null | undefined;
  /** "Newer attempts", "Previous subscriptions". */
  previousLabel: string;
  nextLabel: string;
}) {
  if (pages.number === 1 && !nextCursor) return null;
  return (
    <div class="actions">
      {pages.number > 1 && (
        <button type="button" class="button-secondary" onClick={pages.previous}>
          {previousLabel}
        </button>
      )}
      {nextCursor && (
        <button type="button" class="button-secondary" onClick={() => pages.next(nextCursor)}>
          {nextLabel}
        </button>
      )}
    </div>
  );
}
