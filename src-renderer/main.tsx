import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// The shared styles first: each area's own (imported by its view) override them.
import './shared/styles.css';
import { App } from './app';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
