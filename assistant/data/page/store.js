// Keeps a few of the page's fields (the composed reply, the agent's name and company) in this
// browser's localStorage, so a reload (F5) or a restarted server loses none of them. Nothing is
// sent anywhere: the values stay in the agent's own browser profile, one per agent.
//
// data: {prefix, names, values, ready}. Until the page says it is ready, the store sends what
// it holds (state `restored` = {values, sequence}); the page answers with ready = true, and only
// then does the store write, so the empty fields of a fresh session never overwrite saved ones.

function read(prefix, names) {
  const values = {};
  try {
    for (const name of names) {
      const value = window.localStorage.getItem(prefix + name);
      if (value !== null) values[name] = value;
    }
  } catch (error) {
    // storage disabled: nothing to restore
  }
  return values;
}

function write(prefix, values) {
  try {
    for (const [name, value] of Object.entries(values)) {
      window.localStorage.setItem(prefix + name, value ?? "");
    }
  } catch (error) {
    // a full or disabled storage only costs the reload safety net
  }
}

export default function ({ data, setStateValue }) {
  if (!data.ready) {
    // A new session (a reload, or the server restarted under an open page) asks once.
    setStateValue("restored", { values: read(data.prefix, data.names), sequence: Date.now() });
    return undefined;
  }
  write(data.prefix, data.values);
  return undefined;
}
