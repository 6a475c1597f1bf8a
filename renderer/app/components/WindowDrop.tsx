/**
 * Drop anywhere: files dropped on any part of the window (the viewport, the timeline…) are imported like files
 * dropped on the import panel; an outline shows while files are dragged over the window.
 */
import { useEffect, useState } from 'react';
import { importDroppedFiles } from './ImportPanel.tsx';

/** Window-wide drop target (renders the drag outline only). */
export function WindowDrop(): React.JSX.Element | null {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent): boolean => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
    const enter = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      depth++;
      setOver(true);
    };
    const leave = (): void => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overHandler = (e: DragEvent): void => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent): void => {
      depth = 0;
      setOver(false);
      // The import panel handles its own drops (and marks them handled).
      if (e.defaultPrevented || !e.dataTransfer) return;
      e.preventDefault();
      importDroppedFiles(Array.from(e.dataTransfer.files));
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overHandler);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overHandler);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return over ? (
    <div className="window-drop" data-testid="window-drop">
      Drop a portrait, avatar, audio or project file to import it
    </div>
  ) : null;
}
