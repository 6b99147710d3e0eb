// placeholder: the plugin arrives with issue 4
export {};
