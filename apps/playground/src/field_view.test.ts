import { flowColor, motionArrows, motionField } from './field_view.js';

describe('the warp view', () => {
  it('colours motion by direction and brightness by distance', () => {
    expect(flowColor(2, 0, 2)).toEqual([1, 0, 0]); // right: red
    expect(flowColor(-1, 0, 2)).toEqual([0, 0.5, 0.5]); // left, half as far: dark cyan
    expect(flowColor(0, 0, 2)).toEqual([0, 0, 0]);
    // Full brightness caps at 1 for motion longer than the scale.
    expect(Math.max(...flowColor(0, 5, 2))).toBe(1);
  });

  it('shows the motion of the template ink, the opposite of where each pixel reads from', () => {
    const displacement = Float32Array.from([1, 0, 0, -2, 3, 4, 0, 0]);
    const { motion, longest } = motionField(displacement, 2, 2);
    expect(Array.from(motion)).toEqual([-1, -0, -0, 2, -3, -4, -0, -0]);
    expect(longest).toBe(5);
    expect(() => motionField(displacement, 3, 3)).toThrow('motionField: displacement holds 8 values, but a 3 x 3 field has 18');
  });

  it('draws arrows on a centred lattice, from where the ink was in the template to where it lands', () => {
    const side = 28;
    const displacement = new Float32Array(side * side * 2).fill(0.5);
    const arrows = motionArrows(displacement, side, side, 4);
    expect(arrows).toHaveLength(49);
    expect(arrows[0]).toEqual({ fromX: 1.5, fromY: 1.5, toX: 1, toY: 1 });
    expect(arrows[48]).toEqual({ fromX: 25.5, fromY: 25.5, toX: 25, toY: 25 });
  });
});
