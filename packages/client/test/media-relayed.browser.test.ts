import { defineMediaScenarios } from './media-scenarios.js';

// Relayed (peer-to-peer) media in real Chromium: the server only carries offers, answers and candidates.
defineMediaScenarios('relayed');
