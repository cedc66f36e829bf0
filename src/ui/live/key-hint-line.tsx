/** The line under the sections: the hint of a key that was refused, or the key bar. */
import { keyBar } from './run-rows.js';
import { Line } from './view-line.js';
import type { ViewStyle } from './view-style.js';

export function KeyHintLine(props: { style: ViewStyle; hint: string | null; top?: boolean; readOnly: boolean }) {
  const { style, hint } = props;
  return (
    <Line
      text={hint ?? keyBar({ top: props.top, readOnly: props.readOnly })}
      color={style.color}
      tone={hint ? 'warn' : 'dim'}
    />
  );
}
