import { useState } from 'preact/hooks';
import { type ApiSettings, loadSettings, saveSettings } from '../settings';

/*
 * Which API the console talks to. Empty: the page's own origin (the local stack, or
 * `job-orchestrator console`, which proxies and signs for IAM stages). A deployed apiKey stage: its
 * URL and key; that API must answer CORS for this page's origin (CDK context `consoleOrigins`).
 */
export const SettingsPage = () => {
  const [settings, setSettings] = useState<ApiSettings>(loadSettings);
  const [saved, setSaved] = useState(false);
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">API</h1>
      <form
        class="settings"
        onSubmit={(event) => {
          event.preventDefault();
          saveSettings(settings);
          setSaved(true);
        }}
      >
        <label>
          API URL (empty: this server){' '}
          <input
            type="url"
            name="url"
            placeholder="https://abc123.execute-api.eu-west-1.amazonaws.com/dev"
            value={settings.url}
            onInput={(event) => setSettings({ ...settings, url: (event.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          API key (apiKey stages only){' '}
          <input
            type="password"
            name="apiKey"
            autocomplete="off"
            value={settings.apiKey}
            onInput={(event) =>
              setSettings({ ...settings, apiKey: (event.target as HTMLInputElement).value })
            }
          />
        </label>
        <p class="hint">
          Kept in this browser only. For an IAM stage, run{' '}
          <code>job-orchestrator console --url &lt;api&gt; --iam</code> instead: it serves this console and
          signs its calls with your AWS credentials, which never reach the browser.
        </p>
        <button type="submit" class="primary">
          Save
        </button>
        <p role="status">{saved ? 'Saved.' : ''}</p>
      </form>
    </section>
  );
};
