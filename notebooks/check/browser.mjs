// Opens HTML pages (the executed notebooks rendered by nbconvert) in
// headless Chromium and fails if a page raises a script error or holds an
// image that does not decode; saves a screenshot of the first page.
//
//   node notebooks/check/browser.mjs SCREENSHOT.png PAGE.html...
//
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM); puppeteer-core
// downloads no browser.
import puppeteer from "puppeteer-core";
import path from "node:path";

const [screenshot, ...pages] = process.argv.slice(2);
if (!screenshot || pages.length === 0) {
  console.error("usage: browser.mjs SCREENSHOT.png PAGE.html...");
  process.exit(2);
}
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
let failed = 0;
for (const [i, file] of pages.entries()) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 900 });
  const errors = [];
  page.on("pageerror", (err) => errors.push(`script error: ${err.message}`));
  await page.goto("file://" + path.resolve(file), { waitUntil: "load", timeout: 60000 });
  const images = await page.evaluate(async () => {
    const imgs = [...document.images];
    await Promise.all(imgs.map((img) => img.decode().catch(() => {})));
    return imgs.map((img) => ({ ok: img.complete && img.naturalWidth > 0, src: img.src.slice(0, 40) }));
  });
  for (const img of images.filter((x) => !x.ok)) errors.push(`image does not decode: ${img.src}…`);
  if (images.length === 0) errors.push("no image at all");
  if (i === 0) await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`${path.basename(file)}: ${images.length} images, ${errors.length} problems`);
  for (const e of errors) console.log("  " + e);
  failed += errors.length > 0;
  await page.close();
}
await browser.close();
process.exit(failed ? 1 : 0);
