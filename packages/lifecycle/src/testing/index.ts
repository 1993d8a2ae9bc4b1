export { trackTimers, type TimerTracker } from './timer-tracker.js';
