/**
 * The portrait's rest expression as the product uses it everywhere (export, studio preview, driving video): measured
 * on the portrait's landmarks with the Iris model's eye contours written over the mesh's, exactly as a driving
 * video's frames are tracked (pipeline/reenact/drivingVideo.ts), so a portrait and a driver frame showing the same
 * face give the same weights.
 * @remarks The plain mesh's lid contour sits inside the visible opening; the rest solve's face frame and brow and
 * corner features hang on the eye centres, so the two landmark sets disagree by far more than noise (vid01 frame 87:
 * browDown 1.00 vs 0.53, mouthSmileLeft 0.36 vs 0.10 on the same picture; core/rig/restExpression.ts).
 */
import type { DecodedImage } from '../image/decodeImage.ts';
import type { FaceLandmarks } from '../../core/face/types.ts';
import { measureRestExpression, type RestExpression } from '../../core/rig/restExpression.ts';
import type { FaceAnalyzer } from './faceAnalyzer.ts';

/**
 * Measures a portrait face's rest expression on Iris-refined landmarks (module remarks).
 * @param analyzer - the analyzer that found the face (its Iris session refines the eye points).
 * @param image - the decoded portrait the landmarks belong to.
 * @param face - one face of its analysis (`[N, 3]` landmarks, N = 478 or 468; not modified).
 * @returns the rest expression (52 ARKit weights and lip gaps, see {@link measureRestExpression}).
 * @throws InvalidInputError when fewer than 468 landmarks are given.
 */
export async function measurePortraitRest(analyzer: FaceAnalyzer, image: DecodedImage, face: FaceLandmarks): Promise<RestExpression> {
  const refined = Float32Array.from(face.landmarksPx);
  await analyzer.analyzerCore.iris(image, refined, true);
  return measureRestExpression(refined, face.landmarkCount);
}
