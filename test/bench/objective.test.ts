import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { objectiveSection } from '../../bench/objective.js';
import { edgeCases } from '../../bench/scenario-set.js';

const saturation = join(import.meta.dirname, '..', '..', 'bench', 'saturation');

describe('the objective bench section', () => {
  it('reports both objectives on both sets against max(LB, packing bound), with the goal line', async () => {
    const section = await objectiveSection(edgeCases(), saturation);
    expect(section.goals[0]).toMatch(
      /^objective makespan, scenario set \(7\): max ratio to max\(LB, packing bound\) \d\.\d{3}, to LB \d\.\d{3}; \d of 7 within 1\.05 \(<= 1\.05 x max\(LB, packing bound\) on every scenario: met\)$/,
    );
    expect(section.goals[1]).toMatch(/^objective makespan, saturation plans \(8\): .*: met\)$/);
    expect(section.goals[2]).toMatch(/^for contrast, objective downtime, scenario set \(7\)/);
    // the eight saturation plans are always in the table, each with its lower and packing bounds
    expect(section.body.split('\n').filter((line) => line.includes('| saturation '))).toHaveLength(8);
  });
});
