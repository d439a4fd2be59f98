// Keyboard-only journeys: reach a control with Tab presses alone, the way a user without a mouse does.
import type { Locator, Page } from '@playwright/test';

/** Whether `target` has the focus (inside a shadow root too, as the SQL editor is: the document's activeElement is then the host). */
async function focused(target: Locator): Promise<boolean> {
  return target.evaluate((el) => el === (el.getRootNode() as unknown as { activeElement: unknown }).activeElement).catch(() => false);
}

/** Presses Tab (or Shift+Tab) until `target` has the focus; fails after `max` presses. */
export async function tabTo(page: Page, target: Locator, { back = false, max = 80 } = {}): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await focused(target)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${target} not reached with ${max} ${back ? 'Shift+Tab' : 'Tab'} presses`);
}
