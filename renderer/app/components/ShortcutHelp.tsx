/**
 * The keyboard-shortcut help overlay (opened with `?` or the toolbar's `?` button, closed with Esc or a click).
 */
import { useStudio } from '../store.ts';

/** Every global shortcut, as shown in the overlay (the handlers live in App.tsx `onKey`). */
export const SHORTCUTS: ReadonlyArray<readonly [keys: string, action: string]> = Object.freeze([
  ['Space', 'play / pause'],
  ['← / →', 'previous / next frame'],
  ['I / O', 'set the in / out point at the playhead'],
  ['Ctrl/Cmd + Z', 'undo'],
  ['Ctrl/Cmd + Shift + Z, Ctrl + Y', 'redo'],
  ['Ctrl/Cmd + E', 'export'],
  ['?', 'this help'],
  ['Esc', 'close a dialog'],
]);

/** The overlay (rendered while `helpOpen`). */
export function ShortcutHelp(): React.JSX.Element | null {
  const open = useStudio((s) => s.helpOpen);
  if (!open) return null;
  const close = (): void => useStudio.getState().set({ helpOpen: false });
  return (
    <div className="modal-backdrop" onClick={close} data-testid="shortcut-help">
      <div className="modal" role="dialog" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map(([k, a]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{a}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="buttons">
          <button onClick={close}>Close</button>
        </div>
      </div>
    </div>
  );
}
