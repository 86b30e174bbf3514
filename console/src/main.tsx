import { render } from 'preact';
import { DefinitionsPage } from './pages/DefinitionsPage';
import { ListPage } from './pages/ListPage';
import { SettingsPage } from './pages/SettingsPage';
import { WorkflowPage } from './pages/WorkflowPage';
import { useRoute } from './route';
import { loadSettings } from './settings';
import './styles.css';

/* The console's shell: a skip link, the navigation, and the page of the route. */

const App = () => {
  const route = useRoute();
  const target = loadSettings().url || location.origin;
  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">job-orchestrator</span>
        <nav aria-label="Console">
          <a href="#/" aria-current={route.page === 'list' || route.page === 'workflow' ? 'page' : undefined}>
            Workflows
          </a>
          <a href="#/definitions" aria-current={route.page === 'definitions' ? 'page' : undefined}>
            Definitions
          </a>
          <a href="#/settings" aria-current={route.page === 'settings' ? 'page' : undefined}>
            API
          </a>
        </nav>
        <span class="target" title="The API this console talks to">
          {target}
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'workflow' ? (
          <WorkflowPage key={route.id} workflowId={route.id} />
        ) : route.page === 'definitions' ? (
          <DefinitionsPage />
        ) : route.page === 'settings' ? (
          <SettingsPage />
        ) : (
          <ListPage key={route.query.toString()} filter={route.query} />
        )}
      </main>
    </>
  );
};

render(<App />, document.getElementById('app') as HTMLElement);
