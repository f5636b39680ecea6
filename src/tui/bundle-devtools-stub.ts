/** Stands in for react-devtools-core in the app's bundle (Ink imports it only when DEV=true). */
export default {
  initialize(): void {},
  connectToDevTools(): void {},
};
