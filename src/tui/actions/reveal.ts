/** Selecting what a dialog made: an image it pulled or built, in Images. */
import type { Services } from '../hooks/context.js';
import { visibleRows } from '../state/selectors.js';

/** Select the image in Images (its row for `name`, else its first row), focused. */
export async function revealImage(svc: Services, id: string, name: string | null): Promise<void> {
  await svc.feed.refresh('images');
  const rows = visibleRows(svc.store.get(), 'images');
  const row = rows.find((r) => name && r.key === `${id}/${name}`) ?? rows.find((r) => r.img.Id === id);
  if (row) svc.store.dispatch({ type: 'select', list: 'images', key: row.key, focus: true });
}
