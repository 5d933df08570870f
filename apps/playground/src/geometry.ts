import { chain, imageCenter, rotation, scaling, translation, type AffineMatrix } from '@ddar/datasets';

/** What the geometry sliders set: the input is scaled, then rotated, about its centre, then shifted. */
export interface GeometrySettings {
  /** Counter-clockwise on screen, in degrees. */
  rotation: number;
  /** Pixels right. */
  shiftX: number;
  /** Pixels down. */
  shiftY: number;
  /** Above 1 enlarges. */
  scale: number;
}

export const NO_GEOMETRY: GeometrySettings = { rotation: 0, shiftX: 0, shiftY: 0, scale: 1 };

/** The input-to-output map of the settings, for `affineTransform` of @ddar/datasets. */
export function geometryMatrix(settings: GeometrySettings, height: number, width: number): AffineMatrix {
  const { cx, cy } = imageCenter(height, width);
  return chain(
    scaling(settings.scale, settings.scale, cx, cy),
    rotation(settings.rotation, cx, cy),
    translation(settings.shiftX, settings.shiftY),
  );
}

export function isIdentity(settings: GeometrySettings): boolean {
  return settings.rotation === 0 && settings.shiftX === 0 && settings.shiftY === 0 && settings.scale === 1;
}
