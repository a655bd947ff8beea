// QR codes drawn on a <canvas> in the page (for the WireGuard mobile apps): no image request,
// no third party. Encoder: the `qr` package (zero dependencies, bundled).
import encodeQR from 'qr';

/** Draws `text` as a QR code (error correction "medium", 4-module quiet zone). */
export function drawQr(canvas: HTMLCanvasElement, text: string, targetPixels = 320): void {
  const modules = encodeQR(text, 'raw', { ecc: 'medium', border: 4 });
  const size = modules.length;
  const scale = Math.max(3, Math.floor(targetPixels / size));
  canvas.width = size * scale;
  canvas.height = size * scale;
  const context = canvas.getContext('2d');
  if (!context) {
    throw new Error('canvas 2d context unavailable');
  }
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#000000';
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (modules[y][x]) {
        context.fillRect(x * scale, y * scale, scale, scale);
      }
    }
  }
}

/** Blanks a canvas (used when the config is cleared from the page). */
export function clearCanvas(canvas: HTMLCanvasElement): void {
  canvas.width = 0;
  canvas.height = 0;
}
