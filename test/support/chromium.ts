/**
 * What the browser tests share: the page bundle (esbuild, browser ESM), the HTML that loads it, and headless
 * Chromium (Debian's `/usr/bin/chromium`, driven by playwright-core).
 */
import * as esbuild from "esbuild"
import { type Browser, chromium } from "playwright-core"

/** The page every browser test serves: it loads the bundle from `/app.js`. */
export const pageHtml = `<!doctype html><html><head><meta charset="utf-8"><title>effect-docker</title></head>` +
  `<body><script type="module" src="/app.js"></script></body></html>`

/** Bundles a page for the browser: its script and the files esbuild read for it. */
export const bundlePage = async (
  entry: string,
  options: { readonly absWorkingDir?: string; readonly minify?: boolean } = {}
): Promise<{ readonly script: string; readonly inputs: ReadonlyArray<string> }> => {
  const bundle = await esbuild.build({
    entryPoints: [entry],
    ...(options.absWorkingDir === undefined ? {} : { absWorkingDir: options.absWorkingDir }),
    bundle: true,
    minify: options.minify ?? false,
    write: false,
    platform: "browser",
    format: "esm",
    target: "es2022",
    metafile: true,
    logLevel: "silent"
  })
  return { script: bundle.outputFiles[0]!.text, inputs: Object.keys(bundle.metafile.inputs) }
}

/** Headless Chromium, without the background work that would slow a test down. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run"
    ]
  })
