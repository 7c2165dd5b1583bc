export const THUMBNAIL_SIZE = 320;

export interface ProcessedImage {
  width: number;
  height: number;
  /** The image as served: orientation applied, every metadata block (EXIF, GPS, XMP) gone. */
  served: Buffer;
  thumbnail: Buffer;
  thumbnailType: string;
}

/**
 * Re-encodes an image. sharp drops metadata unless asked to keep it, and `rotate()` with no
 * angle applies the EXIF orientation first, so what we serve looks right and tells nothing.
 * Animated GIFs keep their frames in the served copy; the thumbnail is the first frame.
 */
export async function processImage(input: Buffer): Promise<ProcessedImage> {
  // Loaded on first use: processes that never see an image (most apps/ws nodes) skip libvips.
  const { default: sharp } = await import('sharp');
  const limits = { limitInputPixels: 100_000_000, failOn: 'error' as const };
  const meta = await sharp(input, limits).metadata();
  const animated = (meta.pages ?? 1) > 1;
  const base = sharp(input, { ...limits, animated }).rotate();
  const format =
    meta.format === 'jpeg' ||
    meta.format === 'png' ||
    meta.format === 'webp' ||
    meta.format === 'gif'
      ? meta.format
      : 'jpeg';
  const { data: served, info } = await base
    .clone()
    .toFormat(format)
    .toBuffer({ resolveWithObject: true });
  const thumbnail = await sharp(input, limits)
    .rotate()
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 78 })
    .toBuffer();
  return {
    width: info.width,
    height: animated ? (info.pageHeight ?? info.height) : info.height,
    served,
    thumbnail,
    thumbnailType: 'image/webp',
  };
}

/** The served content type of a processed image (HEIC and AVIF are served as JPEG). */
export const servedImageType = (contentType: string) =>
  /^image\/(jpeg|png|webp|gif)$/.test(contentType) ? contentType : 'image/jpeg';
