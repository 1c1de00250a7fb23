// `node:crypto` for the browser (the import map in index.html points there): the one function
// the package's gateway module imports from it, from the Web Crypto API.
export const randomUUID = () => globalThis.crypto.randomUUID();
