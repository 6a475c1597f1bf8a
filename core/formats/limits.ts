/**
 * Decompression policy for compressed avatar inputs (.spz gzip streams, LAM zips): what we agree to inflate, checked
 * from the declared sizes before any large allocation, so a small hostile file fails fast with a one-line error
 * instead of taking gigabytes (issue 15: a 160 KB .spz declaring 8.4 M splats / 1.15 GB; a 512 KB zip declaring a
 * 512 MiB entry).
 *
 * @remarks The numbers are product limits, not measurements: a talking-head avatar is 20 k (LAM, 20 018 Gaussians)
 * to a few hundred thousand splats; 2 M splats is a whole captured scene, and decoded to float arrays (positions,
 * scales, rotations, colours, opacities: 14 floats) it is 112 MB before SH. 256 MiB of inflated SPZ payload is
 * 3.9 M splats at SH degree 0 or 1.0 M at degree 3 — the splat cap binds first for all but degree 3. A LAM package's
 * largest part in the published sample is about 30 MB, so 128 MiB per entry and 256 MiB for the entries used leave
 * room for bigger avatars while keeping peak memory for a bomb under 600 MB. Deflate cannot compress by more than
 * 1032:1 (RFC 1951: a 258-byte match costs at least 2 bits), so a zip entry declaring more is lying about its size.
 */
export const DECOMPRESSION_POLICY = Object.freeze({
  /** Most splats (Gaussians/points) one compressed splat file may declare. */
  maxSplatCount: 2_000_000,
  /** Most bytes one SPZ gzip stream may inflate to (header included). */
  maxSpzInflatedBytes: 256 * 1024 * 1024,
  /** Most bytes one LAM zip entry may declare (uncompressed). */
  maxZipEntryBytes: 128 * 1024 * 1024,
  /** Most bytes all inflated LAM zip entries together may declare. */
  maxZipTotalBytes: 256 * 1024 * 1024,
  /** Largest uncompressed/compressed ratio a deflate entry can reach; more is a lie (RFC 1951). */
  maxDeflateRatio: 1032,
});
