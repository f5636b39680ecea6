/**
 * The component tests render with the renderer users get: `ink` and
 * `ink-testing-library` resolve to the test bundle of Ink with the app
 * bundle's edits (test/setup/ink-bundle.ts), not to the unedited modules in
 * node_modules. Only the edited Output has `uncachedGet` (the edit keeps Ink's
 * own get under that name), and every frame ink-testing-library renders goes
 * through that class.
 */
import * as ink from 'ink';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';

interface OutputClass {
  prototype: { get(): { output: string }; uncachedGet?: () => { output: string } };
}

describe('the Ink the component tests run', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("is the app bundle's edited Ink, the one ink-testing-library renders with", () => {
    const Output = (ink as unknown as { __berthEditedOutput?: OutputClass }).__berthEditedOutput;
    expect(Output, 'ink resolves to node_modules: the edits are not in the tests').toBeDefined();
    expect(typeof Output!.prototype.uncachedGet).toBe('function');
    const get = vi.spyOn(Output!.prototype, 'get');
    const uncached = vi.spyOn(Output!.prototype, 'uncachedGet' as 'get');
    const { lastFrame, rerender, unmount } = render(
      <ink.Box borderStyle="single">
        <ink.Text color="green">edited</ink.Text>
      </ink.Box>,
    );
    rerender(
      <ink.Box borderStyle="single">
        <ink.Text color="green">edited again</ink.Text>
      </ink.Box>,
    );
    expect(lastFrame()).toContain('edited again');
    // every frame went through the edited get (row-cached), never Ink's own
    expect(get.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(uncached).not.toHaveBeenCalled();
    unmount();
  });
});
