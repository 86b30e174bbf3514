import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/*
 * A confirmation asked in a modal <dialog>: the browser keeps focus inside it, Escape cancels, and
 * focus goes back to the button that opened it when it closes.
 */

interface ConfirmProps {
  readonly title: string;
  readonly confirmLabel: string;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
  readonly children?: ComponentChildren;
  readonly danger?: boolean;
}

export const Confirm = ({ title, confirmLabel, onConfirm, onCancel, children, danger }: ConfirmProps) => {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    dialog.current?.showModal();
    return () => opener?.focus?.();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby="confirm-title"
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          onConfirm();
        }}
      >
        <h2 id="confirm-title">{title}</h2>
        {children}
        <div class="confirm-buttons">
          <button type="button" onClick={onCancel}>
            Back
          </button>
          <button type="submit" class={danger ? 'danger' : 'primary'} data-confirm>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
};
