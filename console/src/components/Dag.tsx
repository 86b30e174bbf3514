import { useMemo } from 'preact/hooks';
import { type Layout, layoutDag, type StepShape } from '../layout';
import { durationText, statusSymbol } from '../status';
import type { Task } from '../types';

/*
 * The workflow's DAG as SVG, laid out by dagre (layout.ts). Each step is a focusable button: Tab
 * moves between steps, Enter or Space selects one (for its details, or as the step a recovery
 * starts from). Its status is written in the node as well as coloured.
 */

interface DagProps {
  readonly steps: readonly StepShape[];
  /** Live tasks by step name; absent on the definitions page. */
  readonly tasks?: ReadonlyMap<string, Task>;
  readonly selected?: string | undefined;
  readonly onSelect?: (step: string) => void;
  readonly label: string;
  /** Without tasks (a definition): two lines to show under each step's name, by step index. */
  readonly describe?: (index: number) => readonly [string, string];
}

const edgePath = (points: readonly { x: number; y: number }[]): string =>
  points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');

/** What a node says under its name: attempts, duration or items. */
const detailLine = (task: Task | undefined): string => {
  if (!task) return '';
  const parts = [`attempt ${task.attempts}/${task.maxRetries + 1}`];
  if (task.actualDuration !== undefined) parts.push(durationText(task.actualDuration));
  return parts.join(' · ');
};

const itemsLine = (task: Task | undefined): string => {
  const items = task?.items;
  if (!items) return '';
  return `items ${items.succeeded + items.failed}/${items.total}${items.failed ? ` (${items.failed} failed)` : ''}`;
};

export const Dag = ({ steps, tasks, selected, onSelect, label, describe }: DagProps) => {
  const layout: Layout = useMemo(() => layoutDag(steps), [steps]);
  return (
    // biome-ignore lint/a11y/useSemanticElements: the steps are SVG shapes; a <fieldset> cannot hold them.
    <svg
      class="dag"
      role="group"
      aria-label={label}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      width={layout.width}
      height={layout.height}
    >
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" class="dag-arrow" />
        </marker>
      </defs>
      {layout.edges.map((edge) => (
        <path
          key={`${edge.from}-${edge.to}`}
          class="dag-edge"
          d={edgePath(edge.points)}
          marker-end="url(#arrow)"
          data-edge={`${steps[edge.from]?.name}->${steps[edge.to]?.name}`}
        />
      ))}
      {layout.nodes.map((node) => {
        const task = tasks?.get(node.name);
        const status = task?.status;
        const isSelected = selected === node.name;
        const select = () => onSelect?.(node.name);
        const spoken = [node.name, status, detailLine(task), itemsLine(task), task?.errorMessage]
          .filter(Boolean)
          .join(', ');
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it gets the role, focus and keys of one.
          <g
            key={node.name}
            class={`dag-node${status ? ` status-${status}` : ''}${isSelected ? ' selected' : ''}`}
            transform={`translate(${node.x},${node.y})`}
            role="button"
            tabindex={onSelect ? 0 : -1}
            aria-pressed={onSelect ? isSelected : undefined}
            aria-label={spoken}
            data-step={node.name}
            data-status={status ?? 'definition'}
            onClick={select}
            onKeyDown={(event) => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                select();
              }
            }}
          >
            <title>{spoken}</title>
            <rect width={node.width} height={node.height} rx="8" class="dag-box" />
            <text x="10" y="22" class="dag-name">
              {node.name}
            </text>
            {status ? (
              <text x="10" y="41" class="dag-status">
                {statusSymbol(status)} {status}
              </text>
            ) : null}
            <text x="10" y="58" class="dag-detail">
              {task ? detailLine(task) : (describe?.(node.index)[0] ?? '')}
            </text>
            <text x="10" y="72" class="dag-detail">
              {task ? itemsLine(task) : (describe?.(node.index)[1] ?? '')}
            </text>
          </g>
        );
      })}
    </svg>
  );
};
