// placeholder: the plugin arrives with issue 3
export {};
